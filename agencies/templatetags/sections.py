"""`{% section shown %}`: render one section's partial with its own context (agencies.sections).

Like `{% include %}`, the partial sees the page's context (`case`, `access`, `request`...); the
section's own keys are pushed for it alone and gone before the next section renders."""

from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token

register = template.Library()


class SectionNode(template.Node):
    def __init__(self, shown: FilterExpression) -> None:
        self.shown = shown

    def render(self, context: template.Context) -> str:
        shown: Any = self.shown.resolve(context)
        assert context.template is not None  # noqa: S101 - a node renders inside a template
        partial = context.template.engine.get_template(shown.template_name)
        with context.push(shown.context):
            return str(partial.render(context))


@register.tag("section")
def section(parser: Parser, token: Token) -> SectionNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% section %} takes one section, as the page lists it")
    return SectionNode(parser.compile_filter(bits[1]))
