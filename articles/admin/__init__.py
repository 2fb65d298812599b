"""The admin, by concern: `article` (the editor, its workflow panel and history, with the
`review_queue` and `bin` pages), `images` (the image library), `topics` and `research`
(publication types, programmes, regions). Importing
them registers their ModelAdmins."""

from articles.admin import article, images, research, topics

__all__ = ["article", "images", "research", "topics"]
