"""The WPLS feed's vocabulary (docs/contract.md §6), in one place for the generator, the row
rules and the derivation."""

CLIENT_GROUPS = (
    "job_seekers",
    "incapacity_benefits",
    "lone_parents",
    "others_on_income_related",
    "carers",
    "disabled",
    "bereaved",
)
MAIN_GROUPS = CLIENT_GROUPS[:4]  # the main out-of-work groups NI 152 and NI 153 count
REFERENCE_MONTHS = (2, 5, 8, 11)  # a quarter's reference month: February, May, August, November
# The indicators derived from the feed (pipelines/feeds/derive.py), never typed into a return
# by an area: the demo leaves them out of its returns when it writes a feed.
DERIVED_FROM_FEED = ("NI 152", "NI 153")
