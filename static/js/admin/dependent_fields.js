'use strict';
// Fields that apply only when another field says so (data-shown-when, set from
// catalogue.admin.DEPENDENT_FIELDS) are hidden while they do not apply. A field that holds a
// value or shows an error stays in view: nothing is sent that the person cannot see, and the
// server's rules decide as they do without JavaScript.
document.addEventListener('DOMContentLoaded', function() {
    const dependents = new Map();
    for (const input of document.querySelectorAll('[data-shown-when]')) {
        const row = input.closest('.form-row');
        if (row && !dependents.has(row)) {
            dependents.set(row, JSON.parse(input.dataset.shownWhen));
        }
    }
    if (!dependents.size) {
        return;
    }
    const form = dependents.keys().next().value.closest('form');

    function applies(rule) {
        const controller = form.elements[rule.field];
        if (!controller) {
            return true;
        }
        if (rule.checked !== undefined) {
            return controller.checked === rule.checked;
        }
        if (rule.values !== undefined) {
            return rule.values.includes(controller.value);
        }
        if (rule.min !== undefined) {
            return Number(controller.value) >= rule.min;
        }
        return true;
    }

    function holdsSomething(row) {
        if (row.querySelector('.errorlist')) {
            return true;
        }
        for (const input of row.querySelectorAll('input, select, textarea')) {
            if (input.type === 'checkbox' || input.type === 'radio') {
                if (input.checked) {
                    return true;
                }
            } else if (input.type !== 'hidden' && input.value.trim() !== '') {
                return true;
            }
        }
        return false;
    }

    function update() {
        for (const [row, rule] of dependents) {
            row.hidden = !applies(rule) && !holdsSomething(row);
        }
    }

    form.addEventListener('change', update);
    form.addEventListener('input', update);
    update();
});
