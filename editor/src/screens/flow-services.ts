// What the editor's forms may ask of the server about the flow being edited (a step test, its schedule), handed down
// by EditorScreen through context so the inspector's generic forms need no extra props for it.
import { createContext, useContext } from 'react';
import type { Api } from '../api/client.js';
import type { FlowDetail, FlowSchedule } from '../api/types.js';

export interface FlowServices {
  api: Api;
  flowId: string;
  /** The published schedule flow's schedule as last read (GET /api/flows/:id); absent for other flows. */
  schedule?: FlowSchedule | undefined;
  /** The published poll flow's poll state as last read (GET /api/flows/:id); absent for other flows. */
  poll?: FlowDetail['poll'];
  /** Reads the flow again (its schedule state, its versions). */
  refreshFlow(): Promise<unknown>;
}

export const FlowServicesContext = createContext<FlowServices | null>(null);

/** The services, or null outside an editor (e.g. a component test). */
export const useFlowServices = () => useContext(FlowServicesContext);
