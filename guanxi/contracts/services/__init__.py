"""Contract writes (STYLE.md rule 2), by sub-domain."""

from guanxi.contracts.services.contracts import (
    contract_approve,
    contract_create,
    contract_delete,
    contract_finish,
    contract_reject,
    contract_restore,
    contract_sign,
    contract_submit,
    contract_terminate,
    contract_update,
)
from guanxi.contracts.services.files import (
    contract_file_attach,
    contract_file_attach_quote_pdf,
    contract_file_delete,
)
from guanxi.contracts.services.payments import payment_delete, payment_plan_set, payment_record
from guanxi.contracts.services.reminders import contracts_renewal_remind
from guanxi.contracts.services.sequence import contract_number_next, sequence_update

__all__ = [
    "contract_approve",
    "contract_create",
    "contract_delete",
    "contract_file_attach",
    "contract_file_attach_quote_pdf",
    "contract_file_delete",
    "contract_finish",
    "contract_number_next",
    "contract_reject",
    "contract_restore",
    "contract_sign",
    "contract_submit",
    "contract_terminate",
    "contract_update",
    "contracts_renewal_remind",
    "payment_delete",
    "payment_plan_set",
    "payment_record",
    "sequence_update",
]
