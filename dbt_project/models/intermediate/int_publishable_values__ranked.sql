-- Rank and quartile among the publishable values only; the rules: macros/performance/area_values_ranked.sql
{{ area_values_ranked(ref('int_values__publishable')) }}
