import { formatCount } from '../format';

export function renderAbout(target: HTMLElement): void {
  const section = document.createElement('section');
  section.innerHTML = '<h1>About</h1><p>A page loaded on navigation.</p>';
  section.append(formatCount(0));
  target.replaceChildren(section);
}
