-- Rank and quartile of every current area value; the rules: macros/performance/area_values_ranked.sql
{{ area_values_ranked(ref('int_values__current')) }}
