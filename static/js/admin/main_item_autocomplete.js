'use strict';
// The item form's main item (主项) autocomplete offers only the chosen department's main items:
// its request carries the department, which MainItemAdmin.get_search_results filters on.
{
    const $ = django.jQuery;

    $.ajaxPrefilter(function(options) {
        const department = document.getElementById('id_department');
        if (!department || !department.value || typeof options.data !== 'string') {
            return;
        }
        const params = new URLSearchParams(options.data);
        if (params.get('field_name') === 'main_item' && params.get('model_name') === 'serviceitem') {
            params.set('department', department.value);
            options.data = params.toString();
        }
    });

    $(function() {
        const department = document.getElementById('id_department');
        const mainItem = document.getElementById('id_main_item');
        if (!department || !mainItem) {
            return;
        }
        // The department that owns the chosen main item: the page's department when it loads
        // (a saved item's main item belongs to it), and the department the autocomplete was
        // filtered by when a person picks one. The admin fires `change` on every related box
        // as the page loads, so the event alone says nothing about a person's choice.
        let owner = department.value;
        $(mainItem).on('select2:select', function() {
            owner = department.value;
        });
        $(department).on('change', function() {
            if (mainItem.value && department.value !== owner) {
                // A main item of another department would be refused on save.
                $(mainItem).val(null).trigger('change');
            }
        });
    });
}
