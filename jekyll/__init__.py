"""The Jekyll migration: import a Jekyll site as articles, export articles as one.

`site` reads a site (front matter, dates, authors, old addresses), `importer` turns its
posts into articles through `articles.services.article_import_upsert`, `post_images` and
`fetch` bring their images into media storage, `exporter` writes a site back out, and
`sample_content` holds the fictional posts and demo logins a developer loads.
"""
