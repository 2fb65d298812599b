"""The admin, by concern: `article` (the editor, its workflow panel and history, with the
`review_queue` and `bin` pages), `images` (the image library) and `topics`. Importing
them registers their ModelAdmins."""

from articles.admin import article, images, topics

__all__ = ["article", "images", "topics"]
