// Request and response shapes of /api/templates: the gallery (connectors/flow/templates) and a flow made from one.
import { Type, type Static } from 'typebox';
import { Definition, Issue } from './common.js';

export const TemplateNeed = Type.Object({
  key: Type.String(),
  kind: Type.Union([Type.Literal('account'), Type.Literal('text')]),
  connector: Type.Optional(Type.String({ description: '`account`: the connector the account must belong to' })),
  label: Type.String(),
  description: Type.Optional(Type.String()),
  paths: Type.Array(Type.String(), { description: 'JSON Pointers into the definition the value is written to' }),
  pattern: Type.Optional(Type.String()),
  placeholder: Type.Optional(Type.String()),
  default: Type.Optional(Type.String()),
});

export const TemplateSummary = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  category: Type.String(),
  connectors: Type.Array(Type.String(), { description: 'What it uses: trigger channels, action connectors, accounts' }),
  needs: Type.Array(TemplateNeed),
  definition: Definition,
});
export type TemplateSummary = Static<typeof TemplateSummary>;

export const TemplateList = Type.Object({ items: Type.Array(TemplateSummary) });
export type TemplateList = Static<typeof TemplateList>;

export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 100 }) });
export type SlugParams = Static<typeof SlugParams>;

export const UseTemplateBody = Type.Object({
  /** Default: the template's name. */
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** One value per need, by its key (an account id, or the text). */
  values: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 2000 }))),
});
export type UseTemplateBody = Static<typeof UseTemplateBody>;

export const TemplateFlow = Type.Object({
  id: Type.String(),
  name: Type.String(),
  definition: Definition,
  /** What still keeps the draft from publishing (as GET /api/flows/:id reports). */
  issues: Type.Array(Issue),
});
export type TemplateFlow = Static<typeof TemplateFlow>;
