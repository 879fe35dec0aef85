"""GET /v2/store: who the store is, its currency, address, timezone and plan; and GET
/v3/settings/store/locale: the language shoppers see.

bigcommerce/docs reference/store_information.v2.yml (its "Timezone" schema: name as
`Continent/City`, raw_offset and dst_offset in seconds, dst_correction, date_format) and
reference/settings.v3.yml ("Locale": default_shopper_language,
shopper_language_selection_method, store_country), both under the Information &
Settings scope.
"""

from __future__ import annotations

from typing import Any

import pycountry
from flask import Response

from sandbox.bigcommerce.api import api_blueprint, emulator, installation, store
from sandbox.bigcommerce.responses import json_response
from sandbox.timezones import offsets as zone_offsets

blueprint = api_blueprint("store_info", "v2", "store_v2_information")
settings_blueprint = api_blueprint("store_settings", "v3", "store_v2_information")


@blueprint.get("/store")
def get_store() -> Response:
    current = store()
    return json_response(
        {
            "id": current.hash,
            "account_uuid": emulator().state.apps[installation().client_id].account_uuid,
            "domain": current.domain,
            "secure_url": f"https://{current.domain}",
            "control_panel_base_url": f"https://store-{current.hash}.mybigcommerce.example",
            "name": current.name,
            "admin_email": current.admin_email,
            "order_email": current.admin_email,
            "country_code": current.country_code,
            "address": current.address,
            "currency": current.currency,
            "currency_symbol": {"USD": "$", "EUR": "€"}.get(current.currency, ""),
            "decimal_separator": ".",
            "thousands_separator": ",",
            "decimal_places": 2,
            "weight_units": "kg",
            "dimension_units": "Centimeters",
            "timezone": _timezone(current.timezone),
            "plan_name": current.plan,
            "plan_level": current.plan,
            "plan_is_trial": False,
            "status": "live",
            "features": {"stencil_enabled": True, "multi_storefront_enabled": False},
        }
    )


def _timezone(name: str) -> dict[str, Any]:
    """The Timezone object: the IANA name, offsets in seconds in winter and in summer,
    whether the zone observes DST, and the control panel's date formats (PHP patterns)."""
    offsets = zone_offsets(name)
    return {
        "name": name,
        "raw_offset": offsets.standard,
        "dst_offset": offsets.daylight,
        "dst_correction": offsets.standard != offsets.daylight,
        "date_format": {
            "display": "M jS Y",
            "export": "M jS Y",
            "extended_display": "M jS Y @ g:i A",
        },
    }


@settings_blueprint.get("/settings/store/locale")
def get_locale_settings() -> Response:
    current = store()
    country = pycountry.countries.get(alpha_2=current.country_code)
    return json_response(
        {
            "data": {
                "default_shopper_language": current.language,
                "shopper_language_selection_method": "default_shopper_language",
                "store_country": country.name if country else current.country_code,
            },
            "meta": {},
        }
    )
