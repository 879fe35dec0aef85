"""The emulated card network: test card numbers, their outcomes, and card-data checks.

Test cards and test PaymentMethod ids as documented at https://docs.stripe.com/testing
("Declined payments", "Regulatory cards", "3D Secure"); decline codes and messages
from https://docs.stripe.com/declines/codes. Any other Luhn-valid number is a "live"
card, which test mode declines with `test_mode_live_card`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.stripe.errors import StripeError, card_error

ALWAYS = "always"
UNLESS_SET_UP = "unless_set_up"


@dataclass(frozen=True)
class Outcome:
    """How the issuer answers a charge on this card."""

    decline_code: str | None = None
    code: str = "card_declined"
    message: str = "Your card was declined."
    authentication: str | None = None
    # 4000000000000341: attaching to a customer succeeds, charging fails.
    declines_on_attach: bool = True

    def decline(self) -> StripeError | None:
        if self.decline_code is None:
            return None
        return card_error(self.message, self.code, decline_code=self.decline_code)


APPROVED = Outcome()
_GENERIC = Outcome("generic_decline")
LIVE_CARD = Outcome(
    "test_mode_live_card",
    message="Your card was declined. Your request was in test mode, but used a non test "
    "(live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
)
AUTHENTICATION_REQUIRED = Outcome(
    "authentication_required",
    code="authentication_required",
    message="Your card was declined. This transaction requires authentication.",
)

TEST_CARDS: dict[str, Outcome] = {
    "4242424242424242": APPROVED,
    "4000056655665556": APPROVED,
    "5555555555554444": APPROVED,
    "5200828282828210": APPROVED,
    "378282246310005": APPROVED,
    "6011111111111117": APPROVED,
    "4000000000000002": _GENERIC,
    "4000000000009995": Outcome("insufficient_funds", message="Your card has insufficient funds."),
    "4000000000009987": Outcome("lost_card"),
    "4000000000009979": Outcome("stolen_card"),
    "4000000000000069": Outcome(
        "expired_card", code="expired_card", message="Your card has expired."
    ),
    "4000000000000127": Outcome(
        "incorrect_cvc", code="incorrect_cvc", message="Your card's security code is incorrect."
    ),
    "4000000000000119": Outcome(
        "processing_error",
        code="processing_error",
        message="An error occurred while processing your card. Try again in a little bit.",
    ),
    "4000000000000341": Outcome("generic_decline", declines_on_attach=False),
    # "Authenticate unless set up": 3DS on every on-session payment; no further
    # authentication for off-session payments once set up for future use.
    "4000002500003155": Outcome(authentication=UNLESS_SET_UP),
    # "Always authenticate": 3DS on every payment, off-session ones are declined.
    "4000002760003184": Outcome(authentication=ALWAYS),
}

# Test PaymentMethod ids usable server-side (https://docs.stripe.com/testing, "Test code").
TEST_PAYMENT_METHODS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_discover": "6011111111111117",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_visa_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_visa_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_chargeCustomerFail": "4000000000000341",
    "pm_card_authenticationRequiredOnSetup": "4000002500003155",
    "pm_card_authenticationRequired": "4000002760003184",
}


def outcome(number: str) -> Outcome:
    return TEST_CARDS.get(number, LIVE_CARD)


def brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if re.match(r"^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)", number):
        return "mastercard"
    if re.match(r"^3[47]", number):
        return "amex"
    if re.match(r"^(6011|65|64[4-9])", number):
        return "discover"
    return "unknown"


def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


@dataclass(frozen=True)
class CardInput:
    number: str
    exp_month: int
    exp_year: int
    cvc: str | None


def _invalid(message: str, code: str, param: str) -> StripeError:
    error = card_error(message, code, param=param)
    error.saved = False
    return error


def validate(
    number: str | None,
    exp_month: str | None,
    exp_year: str | None,
    cvc: str | None,
    *,
    today: tuple[int, int],
) -> CardInput:
    """Check card data the way Stripe's tokenizer does, returning normalised values.

    `today` is (year, month) of platform time. Codes from https://docs.stripe.com/error-codes
    (invalid_number, incorrect_number, invalid_expiry_month, invalid_expiry_year, invalid_cvc).

    :raises StripeError: 402 card_error naming the field.
    """
    digits = (number or "").replace(" ", "")
    if not re.fullmatch(r"\d{12,19}", digits):
        raise _invalid(
            "Your card number is not a valid credit card number.",
            "invalid_number",
            "card[number]",
        )
    if not luhn_valid(digits):
        raise _invalid("Your card number is incorrect.", "incorrect_number", "card[number]")
    if not exp_month or not re.fullmatch(r"\d{1,2}", exp_month) or not 1 <= int(exp_month) <= 12:
        raise _invalid(
            "Your card's expiration month is invalid.", "invalid_expiry_month", "card[exp_month]"
        )
    if not exp_year or not re.fullmatch(r"\d{2}|\d{4}", exp_year):
        raise _invalid(
            "Your card's expiration year is invalid.", "invalid_expiry_year", "card[exp_year]"
        )
    month, year = int(exp_month), int(exp_year)
    year = 2000 + year if year < 100 else year
    if year < today[0] or year > today[0] + 50:
        raise _invalid(
            "Your card's expiration year is invalid.", "invalid_expiry_year", "card[exp_year]"
        )
    if (year, month) < today:
        raise _invalid(
            "Your card's expiration month is invalid.", "invalid_expiry_month", "card[exp_month]"
        )
    if cvc is not None:
        length = 4 if brand(digits) == "amex" else 3
        if not re.fullmatch(rf"\d{{{length}}}", cvc):
            raise _invalid("Your card's security code is invalid.", "invalid_cvc", "card[cvc]")
    return CardInput(digits, month, year, cvc)
