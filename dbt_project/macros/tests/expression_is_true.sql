{#
    Generic test: `expression` is not false on any row (a row where it is null passes, as in a
    SQL check constraint). Restrict rows with the standard `where` test config.
    Fails with the rows where it is false.
#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
