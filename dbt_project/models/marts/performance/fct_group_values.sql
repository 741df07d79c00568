-- England, region and MAA values from the current area values; the rules:
-- macros/performance/group_values.sql (shared with the released publication.fct_group_values).
{{ group_values(ref('int_values__current')) }}
