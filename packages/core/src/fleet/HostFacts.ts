/** What a look at one host found, before anything was decided. */
export type HostFacts =
  | {
      readonly reachable: true;
      /** The toplevel the host's system profile points at; undefined when it holds no system yet. */
      readonly current?: string | undefined;
      /** Its current generation's number. */
      readonly generation?: number | undefined;
    }
  | {
      readonly reachable: false;
      /** Why it could not be reached, in a user's words. */
      readonly reason: string;
      readonly code: string;
    };
