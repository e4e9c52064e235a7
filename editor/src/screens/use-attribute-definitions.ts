// The workspace's custom attribute definitions, read once per mount: null while loading (or when they cannot be read:
// the form then shows every attribute as a free row, as before definitions existed).
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { AttributeDefinition } from '../api/types.js';

export function useAttributeDefinitions(api: Api): AttributeDefinition[] | null {
  const [defs, setDefs] = useState<AttributeDefinition[] | null>(null);
  useEffect(() => {
    let live = true;
    api.listAttributes().then(
      (r) => live && setDefs(r.items),
      () => live && setDefs(null),
    );
    return () => {
      live = false;
    };
  }, [api]);
  return defs;
}
