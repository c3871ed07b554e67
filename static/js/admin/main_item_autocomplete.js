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
        // A main item of the previous department would be refused on save: clear it.
        $('#id_department').on('change', function() {
            $('#id_main_item').val(null).trigger('change');
        });
    });
}
