-- LAA targets judged against the current values; the rules: macros/performance/laa_target_progress.sql
-- (shared with the released publication.fct_laa_target_progress).
{{ laa_target_progress(ref('int_values__current')) }}
