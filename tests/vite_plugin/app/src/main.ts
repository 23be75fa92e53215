import './style.css';
import { formatCount } from './format';

const app = document.querySelector<HTMLElement>('#app')!;
let clicks = 0;
app.textContent = formatCount(clicks);
app.addEventListener('click', () => {
  clicks += 1;
  app.textContent = formatCount(clicks);
});

// The lazy page: its chunk is a route cost, not part of the initial load.
document.querySelector('#about')!.addEventListener('click', async (event) => {
  event.preventDefault();
  const { renderAbout } = await import('./pages/About');
  history.pushState(null, '', '/about');
  renderAbout(app);
});
