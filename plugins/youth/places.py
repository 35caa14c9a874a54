"""The League's places: 青年驿站 (youth hostels with free beds for job-seekers, 求职免费住宿)."""

from __future__ import annotations

from core.sdk import PlaceKind, PlaceService, Text

PLACE_KINDS = (
    PlaceKind(
        code="youth.hostel",
        name=Text(zh_hans="青年驿站", zh_hant="青年驛站", en="Youth hostel"),
        org_kinds=("youth.committee", "youth.general_branch", "youth.branch"),
        services=(
            PlaceService(
                code="lodging", name=Text(zh_hans="免费住宿", zh_hant="免費住宿", en="Free lodging")
            ),
            PlaceService(
                code="job_advice", name=Text(zh_hans="求职指导", zh_hant="求職指導", en="Job advice")
            ),
        ),
    ),
)
