"""The account's balance (GET /v1/balance): what its captured, unrefunded charges add up to.

https://docs.stripe.com/api/balance/balance_retrieve. The sandbox never pays out, so every
amount stays pending; apps call it as the cheapest check that their secret key works.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sandbox.stripe.api import Call, blueprint, endpoint


@blueprint.get("/balance")
@endpoint()
def retrieve(call: Call) -> dict[str, Any]:
    pending: Counter[str] = Counter()
    for charge in call.account.of_type("charge"):
        if charge["status"] == "succeeded" and charge["captured"]:
            pending[charge["currency"]] += charge["amount"] - charge["amount_refunded"]
    return {
        "object": "balance",
        "available": [],
        "pending": [
            {"amount": amount, "currency": currency} for currency, amount in pending.items()
        ],
        "livemode": False,
    }
