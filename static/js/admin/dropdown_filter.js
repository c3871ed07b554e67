'use strict';
// The list filters (admin/catalogue/dropdown_filter.html) as drop-downs: show the select,
// hide the links it replaces, and follow the chosen filter's link.
document.addEventListener('DOMContentLoaded', function() {
    for (const select of document.querySelectorAll('select[data-filter-select]')) {
        const links = select.closest('details').querySelector('[data-filter-links]');
        select.hidden = false;
        if (links) {
            links.hidden = true;
        }
        select.addEventListener('change', function() {
            window.location.href = select.value;
        });
    }
});
