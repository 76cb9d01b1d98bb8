"""Writers of the client base, one module per part: `clients` (companies, contacts, decision
makers, reassignment), `profiles` (client profile, competitors), `catalogue` (products and
prices), `merge`, `import_rows` and `imports` (CSV/XLSX import), `records` (soft delete,
custom fields). The public names are re-exported here, so callers import
`greenwave.crm.services` as before; the import's batch sizes and limits that only its own
modules read stay in `import_rows`.

Every function checks the actor may touch the record, validates and normalises the input
(requisites, phones, e-mails), writes, and appends an event with before/after values so the
client card can show who changed what and when.
"""

from __future__ import annotations

from ..selectors import DuplicateMatch, company_find_duplicates
from .catalogue import (
    CATALOG_MANAGERS,
    PRICE_LIST_FIELDS,
    PRODUCT_FIELDS,
    price_list_create,
    price_list_update,
    prices_set,
    product_create,
    product_group_create,
    product_group_update,
    product_update,
)
from .clients import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    DECISION_MAKER_FIELDS,
    MESSENGERS,
    REASSIGNERS,
    company_create,
    company_reassign,
    company_update,
    contact_create,
    contact_update,
    decision_maker_add,
    decision_maker_remove,
    decision_maker_update,
    require_writable_company,
    search_text_of,
)
from .import_rows import (
    IMPORT_MAX_RESUMES,
    IMPORT_REQUEUE_AFTER,
    IMPORT_RUN_LOCK,
    MAX_IMPORT_BYTES,
    ImportColumn,
    import_columns,
    import_sample,
    import_suggest_mapping,
)
from .imports import (
    IMPORT_STEP_TASKS,
    import_check,
    import_check_run,
    import_confirm,
    import_read,
    import_run,
    import_upload,
    imports_resume_stalled,
)
from .merge import (
    MERGE_FILL_FIELDS,
    MERGERS,
    company_merge,
)
from .profiles import (
    CLIENT_PROFILE_FIELDS,
    COMPETITOR_EDITORS,
    COMPETITOR_FIELDS,
    can_edit_competitors,
    client_profile_update,
    competitor_create,
    competitor_link,
    competitor_unlink,
    competitor_update,
    require_competitor_editor,
)
from .records import (
    company_delete,
    company_restore,
    contact_delete,
    contact_restore,
    custom_field_create,
    custom_field_delete,
)

__all__ = [
    "CATALOG_MANAGERS",
    "CLIENT_PROFILE_FIELDS",
    "COMPANY_FIELDS",
    "COMPETITOR_EDITORS",
    "COMPETITOR_FIELDS",
    "CONTACT_FIELDS",
    "DECISION_MAKER_FIELDS",
    "IMPORT_MAX_RESUMES",
    "IMPORT_REQUEUE_AFTER",
    "IMPORT_RUN_LOCK",
    "IMPORT_STEP_TASKS",
    "MAX_IMPORT_BYTES",
    "MERGERS",
    "MERGE_FILL_FIELDS",
    "MESSENGERS",
    "PRICE_LIST_FIELDS",
    "PRODUCT_FIELDS",
    "REASSIGNERS",
    "DuplicateMatch",
    "ImportColumn",
    "can_edit_competitors",
    "client_profile_update",
    "company_create",
    "company_delete",
    "company_find_duplicates",
    "company_merge",
    "company_reassign",
    "company_restore",
    "company_update",
    "competitor_create",
    "competitor_link",
    "competitor_unlink",
    "competitor_update",
    "contact_create",
    "contact_delete",
    "contact_restore",
    "contact_update",
    "custom_field_create",
    "custom_field_delete",
    "decision_maker_add",
    "decision_maker_remove",
    "decision_maker_update",
    "import_check",
    "import_check_run",
    "import_columns",
    "import_confirm",
    "import_read",
    "import_run",
    "import_sample",
    "import_suggest_mapping",
    "import_upload",
    "imports_resume_stalled",
    "price_list_create",
    "price_list_update",
    "prices_set",
    "product_create",
    "product_group_create",
    "product_group_update",
    "product_update",
    "require_competitor_editor",
    "require_writable_company",
    "search_text_of",
]
