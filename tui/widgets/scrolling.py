"""Growing a scroll view without a layout pass of the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def grow(view: ScrollView, size: Size) -> None:
    """Give ``view`` a new virtual size.

    Setting ``virtual_size`` asks for a layout pass of the whole screen (every widget
    arranged, every pane repainted): a log at 20 frames a second, or a timeline taking
    notes, would pay it each time. When only the height changes and the view already
    scrolls, its own size stays as it is: update the scroll range alone.
    """
    old = view.virtual_size
    if (
        size.width == old.width
        and size.height != old.height
        and view.show_vertical_scrollbar
        and min(old.height, size.height) > view.scrollable_content_region.height
    ):
        view.set_reactive(type(view).virtual_size, size)
        view._scroll_update(size)  # scrollbar range and scroll_y bounds (Textual's own)
    else:
        view.virtual_size = size
