"""Card payments behind one Gateway interface (gateway.py); Stripe is the implementation."""
