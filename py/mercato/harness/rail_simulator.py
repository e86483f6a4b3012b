"""The rail simulator (``mercato rails simulate``; docs/payments.md, "The adapter contract"): it plays the providers'
side of every rail, so that the rest of Mercato runs exactly as it would against M-Pesa Daraja and the banks.

It is an outbox sender of channel RAIL (the adapter's half): it claims the instructions, answers each one
synchronously as the provider would (``api.rail_acknowledge``: Daraja's MerchantRequestID / CheckoutRequestID /
ConversationID with ResponseCode 0, a bank's ``accepted``), and keeps what the simulated provider "did". It is also the
provider's half: it calls back through the HTTP edge's entry point ``api.ingest_webhook`` with the real message shapes
(Daraja's STK callback with CallbackMetadata, the B2C Result, the queue time-out, the Transaction Status Result; the
banks' callbacks signed with HMAC-SHA256 over "<timestamp>.<body>"), and it answers status queries from what it did.

A real adapter replaces only this module: the database side does not know it is talking to a simulator.

Scenarios: ``success``, ``cancelled`` (1032), ``timeout`` (1037 for an STK push; a B2C queue time-out followed by a late
success), ``insufficient`` (ResultCode 1), ``duplicate`` (every callback delivered twice), ``out_of_order`` (a batch's
callbacks delivered newest first), ``never`` (accepted, then silence: no callback, no status answer).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCENARIOS = ("success", "cancelled", "timeout", "insufficient", "duplicate", "out_of_order", "never")
RESULT_CODES = {"cancelled": 1032, "timeout": 1037, "insufficient": 1}
RESULT_TEXT = {0: "The service request is processed successfully.", 1032: "Request cancelled by user",
               1037: "DS timeout user cannot be reached", 1: "The balance is insufficient for the transaction"}


@dataclass
class Call:
    """One call of a provider to Mercato's edge."""
    provider: str
    headers: dict[str, str]
    body: str


@dataclass
class Truth:
    """What the simulated provider did with one instruction (keyed by Mercato's reference)."""
    rail: str
    kind: str                  # STK, B2C, BANK
    direction: str             # COLLECT, PAYOUT
    amount: str
    shortcode: str
    account: str
    status: str                # Completed, Failed, Pending
    reason: int = 0
    provider_id: str = ""      # CheckoutRequestID, ConversationID, bank reference
    receipt: str = ""


@dataclass
class SimulatorStats:
    claimed: int = 0
    acknowledged: int = 0
    callbacks: int = 0
    answers: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


class RailSimulator:
    """Plays every rail's provider. ``sender`` is a :class:`mercato.client.Client` whose role is mercato_sender; ``edge``
    a back-office client (the HTTP edge). ``tokens`` maps an unsigned rail to its path token, ``keys`` a signed rail to
    its HMAC key; ``source`` is the address the edge reports for the provider's calls. ``state`` (a JSON file) keeps
    what the provider did across runs, so that a later status query (the sweeper's) is answered truthfully."""

    def __init__(self, sender: Any, edge: Any, *, tokens: dict[str, str], keys: dict[str, str],
                 scenario: str = "success", source: str = "196.201.214.10", state: Path | None = None) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
        self.sender, self.edge = sender, edge
        self.tokens, self.keys = tokens, keys
        self.scenario, self.source, self.state = scenario, source, state
        self.truth: dict[str, Truth] = {}
        self.pending: list[Call] = []
        self.stats = SimulatorStats()
        self._lock = threading.Lock()
        if state is not None and state.exists():
            self.truth = {k: Truth(**v) for k, v in json.loads(state.read_text()).get("truth", {}).items()}

    # -- the provider's outbound calls ---------------------------------------------------------------------------------
    def _headers(self, rail: str, body: str, callback: str | None = None) -> dict[str, str]:
        if rail in self.keys:
            ts = str(int(time.time()))
            sig = hmac.new(self.keys[rail].encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
            return {"X-Mercato-Timestamp": ts, "X-Mercato-Signature": f"sha256={sig}"}
        headers = {"X-Mercato-Path-Token": self.tokens.get(rail, ""), "X-Mercato-Source-Address": self.source}
        if callback:
            headers["X-Mercato-Callback"] = callback
        return headers

    def _call(self, rail: str, doc: dict[str, Any], callback: str | None = None) -> None:
        body = json.dumps(doc)
        self.pending.append(Call(rail, self._headers(rail, body, callback), body))

    @staticmethod
    def _result(originator: str, conversation: str, code: int, params: dict[str, Any]) -> dict[str, Any]:
        return {"Result": {"ResultType": 0, "ResultCode": code, "ResultDesc": RESULT_TEXT.get(code, "failed"),
                           "OriginatorConversationID": originator, "ConversationID": conversation,
                           "TransactionID": params.get("ReceiptNo", params.get("TransactionReceipt", "")),
                           "ResultParameters": {"ResultParameter": [{"Key": k, "Value": v} for k, v in params.items()]},
                           "ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": "/"}}}}

    def _stk_callback(self, t: Truth) -> None:
        cb: dict[str, Any] = {"MerchantRequestID": "mr-" + t.provider_id, "CheckoutRequestID": t.provider_id,
                              "ResultCode": t.reason, "ResultDesc": RESULT_TEXT.get(t.reason, "failed")}
        if t.reason == 0:
            cb["CallbackMetadata"] = {"Item": [
                {"Name": "Amount", "Value": float(t.amount)}, {"Name": "MpesaReceiptNumber", "Value": t.receipt},
                {"Name": "TransactionDate", "Value": int(time.strftime("%Y%m%d%H%M%S"))},
                {"Name": "PhoneNumber", "Value": t.account[:4] + "*****" + t.account[-3:]}]}   # M-Pesa masks it
        self._call(t.rail, {"Body": {"stkCallback": cb}})

    def _bank_callback(self, t: Truth, reference: str, status: str | None = None) -> None:
        status = status or ("SUCCEEDED" if t.status == "Completed" else "FAILED" if t.status == "Failed" else "PENDING")
        self._call(t.rail, {"event_id": "ev-" + secrets.token_hex(8), "reference": reference, "status": status,
                            "amount": t.amount, "currency": "KES", "account": t.account, "transaction_id": t.receipt,
                            "reason_code": None if status != "FAILED" else str(t.reason),
                            "reason": None if status != "FAILED" else RESULT_TEXT.get(t.reason, "refused")})

    # -- one message of the outbox -------------------------------------------------------------------------------------
    def handle(self, message: Any) -> None:
        """Answer one claimed RAIL message (acknowledge it, decide what happened, queue the callbacks)."""
        p, rail, template = message.params, message.recipient, message.template
        if self.scenario == "never" and template in ("mpesa.transaction_status", "bank.status_query"):
            self._ack(message, {"ResponseCode": "0", "ResponseDescription": "Accept the service request successfully."})
            return
        if template == "mpesa.transaction_status" or template == "bank.status_query":
            self._answer_status(message)
            return
        reference = p["reference"]
        failing = RESULT_CODES.get(self.scenario, 0)
        if template == "mpesa.stk_push":
            t = Truth(rail, "STK", "COLLECT", str(p["Amount"]), str(p["BusinessShortCode"]), str(p["PhoneNumber"]),
                      "Failed" if failing else "Completed", failing, "ws_CO_" + secrets.token_hex(10),
                      "" if failing else "S" + secrets.token_hex(5).upper())
            self._ack(message, {"MerchantRequestID": "mr-" + t.provider_id, "CheckoutRequestID": t.provider_id,
                                "ResponseCode": "0", "ResponseDescription": "Success. Request accepted for processing",
                                "CustomerMessage": "Success. Request accepted for processing"})
            if self.scenario != "never":
                self._stk_callback(t)
                if self.scenario == "duplicate":
                    self._stk_callback(t)
        elif template == "mpesa.b2c":
            late = self.scenario == "timeout"   # a queue time-out, then a late success
            t = Truth(rail, "B2C", "PAYOUT", str(p["Amount"]), str(p["PartyA"]), str(p["PartyB"]),
                      "Failed" if failing and not late else "Completed", 0 if late else failing,
                      "AG_" + secrets.token_hex(10), "" if failing and not late else "B" + secrets.token_hex(5).upper())
            self._ack(message, {"ConversationID": t.provider_id, "OriginatorConversationID": p["OriginatorConversationID"],
                                "ResponseCode": "0", "ResponseDescription": "Accept the service request successfully."})
            if late:
                self._call(rail, self._result(p["OriginatorConversationID"], t.provider_id, 1, {}), "b2c-timeout")
            if self.scenario != "never":
                params = ({"TransactionAmount": float(t.amount), "TransactionReceipt": t.receipt,
                           "ReceiverPartyPublicName": t.account[:4] + "*****" + t.account[-3:]}
                          if t.status == "Completed" else {})
                for _ in range(2 if self.scenario == "duplicate" else 1):
                    self._call(rail, self._result(p["OriginatorConversationID"], t.provider_id, t.reason, params))
        else:   # bank.collect / bank.payout
            t = Truth(rail, "BANK", "COLLECT" if template == "bank.collect" else "PAYOUT", str(p["amount"]),
                      str(p.get("shortcode", "")), str(p["account"]), "Failed" if failing else "Completed", failing,
                      "BR-" + secrets.token_hex(6), "" if failing else "BT" + secrets.token_hex(5).upper())
            self._ack(message, {"accepted": True, "bank_reference": t.provider_id})
            if self.scenario != "never":
                for _ in range(2 if self.scenario == "duplicate" else 1):
                    self._bank_callback(t, reference)
        self.truth[reference] = t
        self.stats.outcomes[t.status] = self.stats.outcomes.get(t.status, 0) + 1

    def _answer_status(self, message: Any) -> None:
        p, rail = message.params, message.recipient
        self._ack(message, {"ConversationID": "AG_Q_" + secrets.token_hex(8),
                            "OriginatorConversationID": p.get("OriginatorConversationID", p.get("query_id")),
                            "ResponseCode": "0", "ResponseDescription": "Accept the service request successfully."})
        t = self.truth.get(p["reference"])
        self.stats.answers += 1
        if message.template == "bank.status_query":
            if t is not None:
                self._bank_callback(t, p["reference"])
            return
        if t is None:   # the provider knows no such transaction
            self._call(rail, self._result(p["OriginatorConversationID"], "AG_Q_" + secrets.token_hex(8), 2001, {}))
            return
        party = f"{t.shortcode} - Mercato"
        params: dict[str, Any] = {"TransactionStatus": t.status, "Amount": t.amount, "ReceiptNo": t.receipt,
                                  "ReasonCode": str(t.reason),
                                  ("CreditPartyName" if t.direction == "COLLECT" else "DebitPartyName"): party}
        self._call(rail, self._result(p["OriginatorConversationID"], "AG_Q_" + secrets.token_hex(8), 0, params))

    def _ack(self, message: Any, response: dict[str, Any]) -> None:
        self.sender.payments.rail_acknowledge(message.id, message.lease_token, response)
        self.stats.acknowledged += 1

    # -- the loop ------------------------------------------------------------------------------------------------------
    def deliver(self) -> list[dict[str, Any]]:
        """Deliver the queued callbacks through the edge (newest first for ``out_of_order``); their answers."""
        calls, self.pending = self.pending, []
        if self.scenario == "out_of_order":
            calls.reverse()
        answers = []
        for call in calls:
            answers.append(self.edge.payments.ingest_webhook(call.provider, call.headers, call.body))
            self.stats.callbacks += 1
        return answers

    def run_once(self, batch: int = 100, lease_seconds: int = 60) -> int:
        """Claim and answer every due RAIL message, deliver the callbacks, and repeat until nothing is due (status
        queries sent by those callbacks are answered in the same run). Returns how many messages were handled."""
        handled = 0
        while True:
            messages = self.sender.outbox.claim("RAIL", batch, lease_seconds, "rail-simulator")
            for m in messages:
                self.handle(m)
            self.stats.claimed += len(messages)
            handled += len(messages)
            self.deliver()
            if not messages:
                break
        self.save()
        return handled

    def save(self) -> None:
        if self.state is not None:
            self.state.parent.mkdir(parents=True, exist_ok=True)
            data = json.loads(self.state.read_text()) if self.state.exists() else {}
            data["truth"] = {k: vars(v) for k, v in self.truth.items()}
            self.state.write_text(json.dumps(data, indent=1))


def setup_rails(edge: Any, *, allowlist: list[str], source_rails: tuple[str, ...] = ("MPESA",),
                signed_rails: tuple[str, ...] = ("KCB", "DTB")) -> dict[str, dict[str, str]]:
    """Make the rails ACTIVE for the simulator as the back office: a new path token for each unsigned rail (with the
    allowlist) and a new HMAC key for each signed one. Returns {"tokens": {...}, "keys": {...}} to give the simulator."""
    tokens, keys = {}, {}
    for code in source_rails:
        edge.payments.set_rail(code, status="ACTIVE", source_allowlist=allowlist)
        tokens[code] = edge.payments.new_rail_path_token(code)
    for code in signed_rails:
        edge.payments.set_rail(code, status="ACTIVE")
        keys[code] = secrets.token_urlsafe(32)
        edge.payments.add_rail_hmac_secret(code, keys[code])
    return {"tokens": tokens, "keys": keys}
