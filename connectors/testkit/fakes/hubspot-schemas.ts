// Request schemas of the HubSpot fake, written for this project from the facts in
// ../shared/contracts/hubspot/NOTES.md (HubSpot's own spec files are not licensed for copying): the
// SimplePublicObjectInput(ForCreate) bodies (property values are strings), associations on create
// (`{ to: { id }, types: [{ associationCategory, associationTypeId }] }`), PublicObjectSearchRequest (up to 6 filter
// groups, the 13 operators, limit up to 200, query up to 3000 characters) and the merge body.
import type { JsonSchema } from '../../sdk/index.js';

export const FILTER_OPERATORS = [
  'BETWEEN',
  'CONTAINS_TOKEN',
  'EQ',
  'GT',
  'GTE',
  'HAS_PROPERTY',
  'IN',
  'LT',
  'LTE',
  'NEQ',
  'NOT_CONTAINS_TOKEN',
  'NOT_HAS_PROPERTY',
  'NOT_IN',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

const str: JsonSchema = { type: 'string' };
const id: JsonSchema = { type: 'string', pattern: '^[0-9]{1,20}$' };

/** `properties`: names to string values (HubSpot's SimplePublicObject keeps every value a string). */
const propertyValues: JsonSchema = {
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z0-9_]{1,100}$' },
  additionalProperties: { type: 'string' },
};

const associationSpec: JsonSchema = {
  type: 'object',
  required: ['associationCategory', 'associationTypeId'],
  additionalProperties: false,
  properties: {
    associationCategory: { enum: ['HUBSPOT_DEFINED', 'INTEGRATOR_DEFINED', 'USER_DEFINED', 'WORK'] },
    associationTypeId: { type: 'integer' },
  },
};

const associationsForObject: JsonSchema = {
  type: 'object',
  required: ['to', 'types'],
  additionalProperties: false,
  properties: {
    to: { type: 'object', required: ['id'], additionalProperties: false, properties: { id } },
    types: { type: 'array', minItems: 1, items: associationSpec },
  },
};

export const CREATE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['properties'],
  additionalProperties: false,
  properties: {
    properties: propertyValues,
    associations: { type: 'array', items: associationsForObject },
    objectWriteTraceId: str,
  },
};

export const UPDATE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['properties'],
  additionalProperties: false,
  properties: { properties: propertyValues, objectWriteTraceId: str },
};

const filter: JsonSchema = {
  type: 'object',
  required: ['propertyName', 'operator'],
  additionalProperties: false,
  properties: {
    propertyName: { type: 'string', minLength: 1 },
    operator: { enum: [...FILTER_OPERATORS] },
    value: str,
    highValue: str,
    values: { type: 'array', items: str },
  },
};

export const SEARCH_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    query: { type: 'string', maxLength: 3000 },
    filterGroups: {
      type: 'array',
      maxItems: 6,
      items: {
        type: 'object',
        required: ['filters'],
        additionalProperties: false,
        properties: { filters: { type: 'array', items: filter } },
      },
    },
    sorts: {
      type: 'array',
      items: {
        anyOf: [
          str,
          {
            type: 'object',
            required: ['propertyName'],
            additionalProperties: false,
            properties: { propertyName: str, direction: { enum: ['ASCENDING', 'DESCENDING'] } },
          },
        ],
      },
    },
    properties: { type: 'array', items: str },
    limit: { type: 'integer', minimum: 0, maximum: 200 },
    after: { type: 'string', pattern: '^[0-9]{1,10}$' },
  },
};

export const MERGE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['primaryObjectId', 'objectIdToMerge'],
  additionalProperties: false,
  properties: { primaryObjectId: id, objectIdToMerge: id },
};
