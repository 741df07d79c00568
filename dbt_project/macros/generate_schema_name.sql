{#
    Use a model's custom schema as is (`+schema: marts` builds in `marts`, not `main_marts`):
    the schema names are part of the contract with analysts. Without a custom schema the
    target's schema (main) is used.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
