//! The portal example's script: logs each element's load, error and select events.

const log = document.getElementById('events');

function note(lens, text) {
  const item = document.createElement('li');
  item.textContent = `${lens.id}: ${text}`;
  log.appendChild(item);
}

for (const lens of document.querySelectorAll('heap-lens')) {
  lens.addEventListener('load', (e) => note(lens, `loaded ${e.detail.name} (${e.detail.nodes} nodes)`));
  lens.addEventListener('error', (e) => note(lens, `error: ${e.detail}`));
  lens.addEventListener('select', (e) => note(lens, `selected @${e.detail}`));
}
