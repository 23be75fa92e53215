import { formatCount } from './format';

export function render(): string {
  return `<main id="app">${formatCount(0)}</main>`;
}
