// Workspace settings (GET|PATCH /api/workspace-settings): what applies to the whole workspace beyond its contacts.
import { Type, type Static } from 'typebox';

export const WorkspaceSettings = Type.Object({
  errorFlowId: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
    description:
      'a published flow of the workspace started on every failed run with `{ run, step, error }` as its trigger ' +
      '(README.md "Platform events"); its own failures never start it again; null: none',
  }),
});
export type WorkspaceSettings = Static<typeof WorkspaceSettings>;

export const UpdateWorkspaceSettingsBody = Type.Partial(WorkspaceSettings, {
  minProperties: 1,
  additionalProperties: false,
});
export type UpdateWorkspaceSettingsBody = Static<typeof UpdateWorkspaceSettingsBody>;
