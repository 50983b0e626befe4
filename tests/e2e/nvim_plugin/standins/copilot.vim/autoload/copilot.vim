" Stand-in for github/copilot.vim's autoload functions (test only): same
" names and data shapes, no Copilot. The displayed suggestion is the text to
" insert at the cursor, with outdentSize/deleteSize adjustments; Accept()
" returns the keys copilot.vim returns from its <expr> <Tab> mapping.

let s:suggestion = {}

" Test hook: show a suggestion.
function! copilot#SetSuggestionForTest(text, ...) abort
  let s:suggestion = {'text': a:text, 'outdentSize': a:0 > 0 ? a:1 : 0, 'deleteSize': a:0 > 1 ? a:2 : 0,
        \ 'uuid': 'standin-1', 'item': {}}
endfunction

function! copilot#GetDisplayedSuggestion() abort
  return extend({'text': '', 'outdentSize': 0, 'deleteSize': 0, 'uuid': '', 'item': {}}, s:suggestion)
endfunction

function! copilot#TextQueuedForInsertion() abort
  try
    return remove(s:, 'suggestion_text')
  catch
    return ''
  endtry
endfunction

function! copilot#Accept(...) abort
  let s = copilot#GetDisplayedSuggestion()
  if !empty(s.text)
    let text = ''
    if a:0 > 1
      let text = substitute(matchstr(s.text, "\n*" . '\%(' . a:2 .'\)'), "\n*$", '', '')
    endif
    if empty(text)
      let text = s.text
    endif
    let s:suggestion = {}
    let s:suggestion_text = text
    return repeat("\<Left>\<Del>", s.outdentSize) . repeat("\<Del>", s.deleteSize) .
          \ "\<C-R>\<C-O>=copilot#TextQueuedForInsertion()\<CR>" . (a:0 > 1 ? '' : "\<End>")
  endif
  let default = get(g:, 'copilot_tab_fallback', pumvisible() ? "\<C-N>" : "\t")
  if !a:0
    return default
  elseif type(a:1) == v:t_string
    return a:1
  else
    return default
  endif
endfunction

function! copilot#AcceptWord(...) abort
  return copilot#Accept(a:0 ? a:1 : '', '\%(\k\@!.\)*\k*')
endfunction

function! copilot#AcceptLine(...) abort
  return copilot#Accept(a:0 ? a:1 : "\r", "[^\n]\\+")
endfunction
