from articles.trees import subtree_ids


def test_a_subtree_holds_every_depth_once():
    pairs = [(1, None), (2, 1), (3, 2), (4, 1), (5, None)]
    assert sorted(subtree_ids([1], pairs)) == [1, 2, 3, 4]
    assert sorted(subtree_ids([2, 3], pairs)) == [2, 3]
    assert subtree_ids([5], pairs) == [5]


def test_a_cycle_in_the_pairs_ends_the_walk():
    assert sorted(subtree_ids([1], [(1, 2), (2, 1)])) == [1, 2]
