-- noqa: disable=LT02
-- (the Jinja control lines below are indented as the logic nests, not as SQL)
{#
    True when two versions of a key differ in anything the figures are computed from: every
    column of a version but its lineage (load, file, line, time). `is distinct from`, so a
    missing version (an outer join's nulls) differs from any version.
#}
{% macro content_differs(new, old) -%}
    (
        {%- for column in [
            'value', 'value_derived', 'numerator', 'denominator',
            'ci_lower', 'ci_upper', 'status', 'comment'
        ] %}
        {{ new }}.{{ column }} is distinct from {{ old }}.{{ column }}
        {%- if not loop.last %} or{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
