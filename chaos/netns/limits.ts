// Bounds of the network-namespace lab, in one place.
export const NETNS_LIMITS = Object.freeze({
  /** Hosts per lab: each host's prio qdisc has a band per peer, and prio allows 16 bands. */
  membersMax: 7,
  /** How long a member in the lab may take to answer /health after start, in ms. */
  memberStartMsMax: 30_000,
});
