import './style.css';
import { el, replace } from './dom';

const app = document.getElementById('app')!;
replace(app,
  el('header', { class: 'top' }, el('h1', {}, 'Wirelab'),
    el('nav', {}, el('a', { href: '#/labs' }, 'Labs'))),
  el('main', { id: 'view' }, el('p', {}, 'Loading...')));
