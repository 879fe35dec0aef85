"""The baseline: a Flask endpoint that reads a webhook body and answers 200, nothing else."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/webhooks/shopify")
def receive():
    request.get_data()
    return {"status": "ok"}
