"""The ``places`` Piccolo app of the core: places, shares, services, resources, bookings and claims."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.places.tables import Booking, BookingClaim, BookingQuota, Place, PlaceService, PlaceShare, Resource

APP_CONFIG = AppConfig(
    app_name="places",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Place, PlaceService, PlaceShare, Resource, Booking, BookingClaim, BookingQuota],
    migration_dependencies=["core.orgs.piccolo_app", "core.identity.piccolo_app"],
    commands=[],
)
