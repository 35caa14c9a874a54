"""Places (阵地) and bookings: service points of every mass organization, their bookable resources.

Plugins declare place kinds (职工之家, 青年驿站, 妇女之家…) through ``quntuan_place_kinds``; the core
stores places (one owner org, shared with partner orgs), lists them publicly by region, kind, service and
distance, and books their resources (rooms by time slot, beds by night) exactly under concurrency: every
booked unit of time is one row of a claim table with a unique key, so no bed is booked twice for a night
and no resource more often than its capacity.
"""
