'use strict';
// Select2 (the admin's autocomplete boxes) names its combobox and its text by the chosen value
// only, so an empty box has no accessible name (axe: aria-input-field-name). Name both by the
// field's label too.
{
    function nameAutocompleteBoxes() {
        document.querySelectorAll('.select2-selection[role="combobox"]').forEach(function(box) {
            const rendered = box.querySelector('.select2-selection__rendered');
            const match = rendered && rendered.id.match(/^select2-(.+)-container$/);
            const label = match && document.querySelector('label[for="' + match[1] + '"]');
            if (!label) {
                return;
            }
            if (!label.id) {
                label.id = match[1] + '_label';
            }
            box.setAttribute('aria-labelledby', label.id + ' ' + rendered.id);
            rendered.setAttribute('aria-labelledby', label.id + ' ' + rendered.id);
            box.dataset.named = 'true';
        });
    }
    // After the admin's own ready handler has turned the selects into Select2 boxes.
    django.jQuery(function() { window.setTimeout(nameAutocompleteBoxes, 0); });
    window.addEventListener('load', nameAutocompleteBoxes);
}
