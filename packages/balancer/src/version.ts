/** Shown by `-v`, the health API and the `Server`-less error pages never show it. */
export const BALANCER_VERSION = '0.1.0';
