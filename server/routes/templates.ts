// /api/templates: the gallery of ready flows (connectors/flow/templates) and "use template", which fills the needs the
// user picked (accounts, a Slack channel, a URL) into the definition and saves it as a new draft.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  TEMPLATES,
  fillTemplate,
  needIssues,
  templateBySlug,
  templateConnectors,
  type FlowTemplate,
} from '../../connectors/flow/templates/index.js';
import { createChannelAccountStore } from '../../prisma/channel-accounts.js';
import { createFlowStore } from '../../prisma/flows.js';
import { httpErrors } from '../errors.js';
import { errors } from '../schemas/common.js';
import { SlugParams, TemplateFlow, TemplateList, UseTemplateBody, type TemplateSummary } from '../schemas/templates.js';
import { accountIssues, assertDraftShape, flowIssues } from '../services/flow-checks.js';

const tags = ['templates'];

const summary = (t: FlowTemplate): TemplateSummary => ({
  slug: t.slug,
  name: t.name,
  description: t.description,
  category: t.category,
  connectors: templateConnectors(t),
  needs: t.needs,
  definition: t.definition,
});

export const templateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const flows = createFlowStore(app.prisma);
  const accounts = createChannelAccountStore(app.prisma, { publicUrl: app.publicUrl, registry: app.registry });

  app.get(
    '/templates',
    {
      schema: {
        tags,
        summary: 'The templates gallery: ready flows and what each needs picked on import',
        response: { 200: TemplateList, ...errors(401) },
      },
    },
    async () => ({ items: TEMPLATES.map(summary) }),
  );

  app.post(
    '/templates/:slug/flows',
    {
      schema: {
        tags,
        summary: "Create a draft from a template, with the template's needs filled in",
        params: SlugParams,
        body: UseTemplateBody,
        response: { 201: TemplateFlow, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const template = templateBySlug(request.params.slug);
      if (!template) throw httpErrors.notFound('template');
      const values = request.body.values ?? {};
      const problems = needIssues(template, values).map((i) => ({
        path: `/body/values/${i.key}`,
        code: 'template_need',
        message: i.message,
      }));
      // An account must be one of this workspace's, of the connector the template needs.
      const picked = template.needs.filter((n) => n.kind === 'account' && values[n.key]?.trim());
      const found = await accounts.connectors(request.workspaceId)(picked.map((n) => values[n.key]!.trim()));
      for (const need of picked) {
        const id = values[need.key]!.trim();
        const connector = found.find((a) => a.id === id)?.connector;
        if (connector !== need.connector)
          problems.push({
            path: `/body/values/${need.key}`,
            code: connector ? 'account_connector' : 'unknown_account',
            message: connector
              ? `${need.label}: channel account "${id}" is a ${connector} account, not ${need.connector}`
              : `${need.label}: no channel account "${id}" in this workspace`,
          });
      }
      if (problems.length > 0) throw httpErrors.validation('the template cannot be filled in', problems);

      const definition = fillTemplate(template, values);
      assertDraftShape(definition);
      const flow = await flows.createDraft(request.workspaceId, {
        name: request.body.name ?? template.name,
        definition,
      });
      const issues = [
        ...flowIssues(app.registry, definition),
        ...(await accountIssues(accounts.connectors(request.workspaceId), app.registry, definition)),
      ];
      return reply.code(201).send({ id: flow.id, name: flow.name, definition, issues });
    },
  );
};
