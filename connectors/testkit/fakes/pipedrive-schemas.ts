// The request schemas the Pipedrive fake checks our calls against, written here from the facts recorded in
// ../shared/contracts/pipedrive/NOTES.md (the published v1/v2 OpenAPI specs carry no license, so none of their text is
// copied): field names and types of addPerson/updatePerson and addDeal/updateDeal (v2), addNote (v1, `content` plus one
// of the ids), searchPersons/getPersons/searchDeals query parameters, mergePersons (`merge_with_id`). Unknown fields
// are refused (`additionalProperties: false`) so a typo in the connector shows up as a violation, not a silent no-op.
const id = { type: 'integer', minimum: 1 } as const;
const ids = { type: 'array', items: id, maxItems: 100 } as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
/** v1 times: "YYYY-MM-DD HH:MM:SS" (UTC). */
const v1Time = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$' } as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const flag = { enum: [0, 1, true, false] } as const;

/** `emails[]`, `phones[]`, `im[]` of a v2 person: `{ value, primary, label }`. */
const contactValues = {
  type: 'array',
  maxItems: 50,
  items: {
    type: 'object',
    required: ['value'],
    additionalProperties: false,
    properties: { value: { type: 'string', minLength: 1 }, primary: { type: 'boolean' }, label: { type: 'string' } },
  },
} as const;

const postalAddress = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    [
      'value',
      'country',
      'admin_area_level_1',
      'admin_area_level_2',
      'locality',
      'sublocality',
      'route',
      'street_number',
      'subpremise',
      'postal_code',
    ].map((k) => [k, { type: ['string', 'null'] }]),
  ),
} as const;

const personFields = {
  name: { type: 'string', minLength: 1 },
  owner_id: id,
  org_id: { type: ['integer', 'null'], minimum: 1 },
  add_time: isoTime,
  emails: contactValues,
  phones: contactValues,
  visible_to: { enum: [1, 3, 5, 7] },
  label_ids: ids,
  postal_address: postalAddress,
  notes: { type: 'string' },
  im: contactValues,
  birthday: { oneOf: [date, { type: 'null' }] },
  job_title: { type: ['string', 'null'] },
  marketing_status: { enum: ['no_consent', 'unsubscribed', 'subscribed', 'archived'] },
  custom_fields: { type: 'object' },
} as const;

/** POST /api/v2/persons: the spec marks nothing required, the docs say a person needs a name. */
export const ADD_PERSON = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: personFields,
} as const;

/** PATCH /api/v2/persons/{id}: the same fields, none required, at least one given. */
export const UPDATE_PERSON = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: personFields,
} as const;

const dealFields = {
  title: { type: 'string', minLength: 1 },
  owner_id: id,
  person_id: { type: ['integer', 'null'], minimum: 1 },
  org_id: { type: ['integer', 'null'], minimum: 1 },
  pipeline_id: id,
  stage_id: id,
  value: { type: 'number', minimum: 0 },
  currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  is_deleted: { type: 'boolean' },
  is_archived: { type: 'boolean' },
  archive_time: isoTime,
  status: { enum: ['open', 'won', 'lost'] },
  probability: { type: ['integer', 'null'], minimum: 0, maximum: 100 },
  lost_reason: { type: ['string', 'null'] },
  visible_to: { enum: [1, 3, 5, 7] },
  close_time: isoTime,
  won_time: isoTime,
  lost_time: isoTime,
  expected_close_date: date,
  label_ids: ids,
  custom_fields: { type: 'object' },
} as const;

/** POST /api/v2/deals: `title` is required. */
export const ADD_DEAL = {
  type: 'object',
  required: ['title'],
  additionalProperties: false,
  properties: dealFields,
} as const;

/** PATCH /api/v2/deals/{id}. */
export const UPDATE_DEAL = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: dealFields,
} as const;

/** POST /v1/notes: `content` (HTML), and at least one of deal_id, person_id, org_id, lead_id, project_id. */
export const ADD_NOTE = {
  type: 'object',
  required: ['content'],
  additionalProperties: false,
  properties: {
    content: { type: 'string', minLength: 1 },
    deal_id: id,
    person_id: id,
    org_id: id,
    lead_id: { type: 'string', format: 'uuid' },
    project_id: id,
    user_id: id,
    add_time: v1Time,
    pinned_to_lead_flag: flag,
    pinned_to_deal_flag: flag,
    pinned_to_organization_flag: flag,
    pinned_to_person_flag: flag,
    pinned_to_project_flag: flag,
  },
  anyOf: ['deal_id', 'person_id', 'org_id', 'lead_id', 'project_id'].map((k) => ({ required: [k] })),
} as const;

/** PUT /v1/persons/{id}/merge: the person of the URL is merged into `merge_with_id`, whose data wins. */
export const MERGE_PERSONS = {
  type: 'object',
  required: ['merge_with_id'],
  additionalProperties: false,
  properties: { merge_with_id: id },
} as const;

// Query strings: every value is a string; unknown parameters are refused.
const digits = { type: 'string', pattern: '^[1-9][0-9]*$' } as const;
const bool = { enum: ['true', 'false', '1', '0'] } as const;
const limit = { type: 'string', pattern: '^([1-9][0-9]?|[1-4][0-9]{2}|500)$' } as const;
const fieldList = (names: string[]) => ({ type: 'string', pattern: `^(${names.join('|')})(,(${names.join('|')}))*$` });

/** GET /api/v2/persons/search. */
export const SEARCH_PERSONS = {
  type: 'object',
  required: ['term'],
  additionalProperties: false,
  properties: {
    term: { type: 'string', minLength: 1 },
    fields: fieldList(['custom_fields', 'email', 'notes', 'phone', 'name']),
    exact_match: bool,
    organization_id: digits,
    include_fields: { const: 'person.picture' },
    limit,
    cursor: { type: 'string', minLength: 1 },
  },
} as const;

/** GET /api/v2/persons. */
export const LIST_PERSONS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter_id: digits,
    ids: { type: 'string', pattern: '^[0-9]+(,[0-9]+)*$' },
    owner_id: digits,
    org_id: digits,
    updated_since: isoTime,
    updated_until: isoTime,
    sort_by: { enum: ['id', 'update_time', 'add_time'] },
    sort_direction: { enum: ['asc', 'desc'] },
    include_fields: { type: 'string' },
    custom_fields: { type: 'string' },
    limit,
    cursor: { type: 'string', minLength: 1 },
  },
} as const;

/** GET /api/v2/deals/search. */
export const SEARCH_DEALS = {
  type: 'object',
  required: ['term'],
  additionalProperties: false,
  properties: {
    term: { type: 'string', minLength: 1 },
    fields: fieldList(['custom_fields', 'notes', 'title']),
    exact_match: bool,
    person_id: digits,
    organization_id: digits,
    status: { enum: ['open', 'won', 'lost'] },
    include_fields: { const: 'deal.cc_email' },
    limit,
    cursor: { type: 'string', minLength: 1 },
  },
} as const;

/** Endpoints that take no query parameters and no body (GET by id, users/me). */
export const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;
