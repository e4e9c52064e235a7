// /api/workspace-settings: what applies to the whole workspace beyond its contacts (today the error flow). Thin glue
// to prisma/workspace-settings.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createAjv } from '../../connectors/flow/ajv.js';
import { createWorkspaceSettingsStore, WorkspaceSettingRefused } from '../../prisma/workspace-settings.js';
import { httpErrors } from '../errors.js';
import { errors } from '../schemas/common.js';
import { UpdateWorkspaceSettingsBody, WorkspaceSettings } from '../schemas/workspace-settings.js';

const tags = ['workspace'];

export const workspaceSettingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const settings = createWorkspaceSettingsStore(app.prisma);
  // Bodies kept as sent (as the contact settings' do): the app's ajv would coerce and drop.
  const exact = createAjv();
  const validatorCompiler = ({ schema }: { schema: object }) => exact.compile(schema);

  app.get(
    '/workspace-settings',
    {
      schema: {
        tags,
        summary: "The workspace's settings: its error flow",
        response: { 200: WorkspaceSettings, ...errors(401) },
      },
    },
    async (request) => settings.get(request.workspaceId),
  );

  app.patch(
    '/workspace-settings',
    {
      schema: {
        tags,
        summary: 'Change the workspace settings (what is sent)',
        description:
          '`errorFlowId` must be a published flow of the workspace (400 naming `/body/errorFlowId` otherwise); null ' +
          'turns the error flow off. It starts on failures from then on.',
        body: UpdateWorkspaceSettingsBody,
        response: { 200: WorkspaceSettings, ...errors(400, 401, 415) },
      },
      validatorCompiler,
    },
    async (request) =>
      settings.update(request.workspaceId, request.body).catch((err: unknown) => {
        if (!(err instanceof WorkspaceSettingRefused)) throw err;
        throw httpErrors.validation(`${err.field}: ${err.message}`, [
          { path: `/body/${err.field}`, code: err.reason, message: err.message },
        ]);
      }),
  );
};
