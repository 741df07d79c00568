-- The contextual indicators that place each area among its statistical neighbours
-- (docs/comparators.md): measures of the circumstances an area works in (deprivation, the
-- local economy, health, rurality) rather than of what its council did, each held by the
-- warehouse itself. One row per indicator, with why it is there. A standard VALUES list, so
-- the model runs unchanged on another engine.
select
    contextual_variables.ni_code,
    contextual_variables.reason
from (
    values
    ('NI 116', 'child poverty: income deprivation of households with children'),
    ('NI 117', '16-18 year olds NEET: the youth labour market and skills'),
    ('NI 120', 'all-age all-cause mortality: health deprivation (age-standardised)'),
    ('NI 152', 'working-age people on out-of-work benefits: worklessness'),
    ('NI 166', 'median earnings of employees: the wage level of the local economy'),
    ('NI 171', 'new business registration rate: enterprise and economic dynamism'),
    (
        'NI 175',
        'access to services by public transport, walking and cycling: rurality and '
        || 'settlement pattern'
    )
) as contextual_variables (ni_code, reason)
