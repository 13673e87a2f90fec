// Light and dark themes: the system's (style.css's color-scheme: light dark)
// until the toggle picks one, which is then remembered for this site.

const KEY = 'pycontainer-theme';

/** Wires `button` to switch themes; the choice is `data-theme` on <html>. */
export function setUpTheme(button) {
  const root = document.documentElement;
  const system = () => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const show = (theme) => {
    root.dataset.theme = theme;
    button.setAttribute('aria-pressed', String(theme === 'dark'));
    button.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
  };
  show(localStorage.getItem(KEY) ?? system());
  button.addEventListener('click', () => {
    const next = root.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, next);
    show(next);
  });
}
