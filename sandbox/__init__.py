"""Local emulators of Shopify, BigCommerce and the card gateway, served over real HTTP.

No machine here reaches the platforms, so the demo, the tests and the benchmarks run
against these. They follow the platforms' documented behaviour, not our convenience.
"""
