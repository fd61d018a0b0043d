"""What an editor writes, turned into the HTML a page shows: one function, used alike by the
preview and by publishing, so the preview is exactly what will be published.

Posts written in the console are Markdown (CommonMark, by markdown-it-py, with tables and
strike-through; a single line break is kept as a line break, as editors expect). Posts sent as
HTML through the API, and every post written before the Markdown editor, keep
``body_format = "html"``. Whatever the format, nh3 (``sanitize.clean_html``) is the last step:
raw HTML inside Markdown is allowed in, then cleaned with everything else.
"""

from markdown_it import MarkdownIt

from .sanitize import clean_html

MARKDOWN = "markdown"
HTML = "html"

_markdown = MarkdownIt("commonmark", {"breaks": True, "html": True}).enable(
    ["table", "strikethrough"]
)


def markdown_to_html(text: str) -> str:
    """Markdown → sanitised HTML (paragraphs as <p>, links with rel="noopener …")."""
    return clean_html(_markdown.render(text or ""))


def body_render(source: str, body_format: str) -> str:
    """The sanitised HTML of a post body written in ``body_format`` (markdown or html)."""
    if body_format == MARKDOWN:
        return markdown_to_html(source)
    return clean_html(source)
