-- noqa: disable=LT02
-- (the Jinja control lines below are indented as the logic nests, not as SQL)
{#
    Generic test: a model's rules in one query, so one test node a model instead of one a
    rule (docs/quality.md): every dbt test is a query, a Dagster asset check and an event in
    every load, and on a resubmission's load the overhead of 200 small tests cost more than
    what they checked. Each rule is a union branch of its own; the test fails with one row
    per broken rule: `rule` says which (and which column, key or value) and `failing_rows`
    how many rows (for a key, how many duplicated keys) break it.

        not_null:        [column, ...]                      no nulls
        unique:          [[column, ...], ...]               each list a key: no two rows share it
                                                            (rows whose key is all null are
                                                            not compared, as in dbt's unique)
        accepted_values: {column: [value, ...]}             non-null values among these
                                                            (numbers compared as numbers)
        expressions:     [sql, ...]                         never false (null passes)
        references:      {column: "model.column"}           non-null values found there
                                                            (dbt's relationships, by ref)
#}
{% test rules(model, not_null=[], unique=[], accepted_values={}, expressions=[], references={}) %}
{%- set checks = [] -%}

{%- if not_null -%}
    {%- set nulls -%}
        select 'not null: ' || null_column as rule, null_rows as failing_rows
        from (
            unpivot (select {{ null_counts(not_null) }} from {{ model }})
            on columns(*)
            into name null_column value null_rows
        )
        where null_rows > 0
    {%- endset -%}
    {%- do checks.append(nulls) -%}
{%- endif -%}

{%- for key in unique -%}
    {%- set columns = key | join(', ') -%}
    {%- set duplicated -%}
        select 'unique: {{ columns }}' as rule, count(*) as failing_rows
        from (
            select {{ columns }} from {{ model }}
            where not ({% for column in key %}{{ column }} is null{{ " and " if not loop.last }}{% endfor %})
            group by all
            having count(*) > 1
        )
        having count(*) > 0
    {%- endset -%}
    {%- do checks.append(duplicated) -%}
{%- endfor -%}

{%- for column, values in accepted_values.items() -%}
    {%- set unexpected -%}
        select
            'accepted values: {{ column }} holds ' || string_agg(distinct cast({{ column }} as varchar), ', ')
                as rule,
            count(*) as failing_rows
        from {{ model }}
        where
            {{ column }} is not null
            and {{ column }} not in (
                {%- for value in values -%}
                    {{ value if value is number else "'" ~ value ~ "'" }}
                    {{- ", " if not loop.last }}
                {%- endfor -%}
            )
        having count(*) > 0
    {%- endset -%}
    {%- do checks.append(unexpected) -%}
{%- endfor -%}

{%- for expression in expressions -%}
    {%- set false_rows -%}
        select 'expression: {{ expression | replace("'", "''") }}' as rule, count(*) as failing_rows
        from {{ model }}
        where not ({{ expression }})
        having count(*) > 0
    {%- endset -%}
    {%- do checks.append(false_rows) -%}
{%- endfor -%}

{%- for column, target in references.items() -%}
    {%- set parent_model, parent_column = target.split('.') -%}
    {%- set orphans -%}
        select 'references: {{ column }} not in {{ target }}' as rule, count(*) as failing_rows
        from {{ model }} as child
        where
            child.{{ column }} is not null
            and child.{{ column }} not in (
                select parent.{{ parent_column }} from {{ ref(parent_model) }} as parent
                where parent.{{ parent_column }} is not null
            )
        having count(*) > 0
    {%- endset -%}
    {%- do checks.append(orphans) -%}
{%- endfor -%}

{%- for check in checks %}
{{ check }}
{{ "union all" if not loop.last }}
{%- endfor %}
{%- if not checks %}
select null as rule, 0 as failing_rows where false
{%- endif %}
{% endtest %}
