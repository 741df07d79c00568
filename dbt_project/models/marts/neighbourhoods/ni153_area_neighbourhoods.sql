-- For each area, how many of its LSOAs NI 153 is over: an area counts the LSOAs that lie in it
-- before April 2009 or from April 2009 (Bedfordshire's and Cheshire's LSOAs count for the
-- county before and for its successor after). An area with none has no NI 153 value.
with neighbourhoods as (
    select * from {{ ref('stg_ingest__feed_neighbourhoods') }}
),

placed as (
    select
        area_code_before_2009 as area_code,
        lsoa_code,
        is_qualifying
    from neighbourhoods
    union
    select
        area_code_from_2009 as area_code,
        lsoa_code,
        is_qualifying
    from neighbourhoods
)

select
    area_code,
    count(*) as lsoas,
    count(*) filter (where is_qualifying) as qualifying_lsoas,
    case
        when count(*) filter (where is_qualifying) = 0
            then
                'no qualifying neighbourhood: none of the area''s LSOAs averaged an '
                || 'out-of-work rate of 25 % or more from May 2006 to February 2007, so the '
                || 'area has no NI 153 value'
    end as no_ni153_reason
from placed
group by area_code
