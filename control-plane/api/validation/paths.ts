// Field paths printed as Kubernetes prints them: spec.containers[0].name, data[key].
export const child = (p: string, name: string): string => (p === '' ? name : `${p}.${name}`);
export const index = (p: string, i: number): string => `${p}[${i}]`;
export const key = (p: string, k: string): string => `${p}[${k}]`;
