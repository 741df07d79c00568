{# Byar's approximation to the Poisson limits of an observed count O of 10 or more
   (statistical_methods.md, "Counts and crude rates"): side -1 gives
   O (1 - 1/(9O) - z/(3 sqrt O))^3, side +1 gives (O+1) (1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3.
   A count's limits are these; a rate's are these / n × multiplier. #}
{% macro byar_limit(observed, z, side) -%}
    {%- if side < 0 -%}
        {{ observed }} * pow(
            1 - 1 / (9 * {{ observed }}) - {{ z }} / (3 * sqrt({{ observed }})), 3
        )
    {%- else -%}
        ({{ observed }} + 1) * pow(
            1 - 1 / (9 * ({{ observed }} + 1)) + {{ z }} / (3 * sqrt({{ observed }} + 1)), 3
        )
    {%- endif -%}
{%- endmacro %}
